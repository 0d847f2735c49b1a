// Integration and e2e tests talk to real brokers and servers; Jest's 5 s default is for unit tests.
jest.setTimeout(90_000);
