import { EventEmitter } from 'node:events';
import { ClientDisconnect } from './client-disconnect';

class FakeResponse extends EventEmitter {
  writableFinished = false;
}

describe('ClientDisconnect', () => {
  it('sees a connection that closes before the answer was sent', () => {
    const res = new FakeResponse();
    const gone = jest.fn();
    const watch = new ClientDisconnect({ socket: { destroyed: false } }, res);
    watch.onGone(gone);
    res.emit('close');
    expect(gone).toHaveBeenCalledTimes(1);
    expect(watch.signal.aborted).toBe(true);
  });

  it('sees a connection that dropped while the body was being read', () => {
    const gone = jest.fn();
    new ClientDisconnect({ socket: { destroyed: true } }, new FakeResponse()).onGone(gone);
    expect(gone).toHaveBeenCalledTimes(1);
  });

  it('does not mistake the end of a finished response for a disconnect', () => {
    const res = new FakeResponse();
    const watch = new ClientDisconnect({ socket: { destroyed: false } }, res);
    res.writableFinished = true;
    res.emit('close');
    expect(watch.gone).toBe(false);
  });
});
