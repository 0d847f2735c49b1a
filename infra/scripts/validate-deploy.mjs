// Checks the deployment files that cannot run on a machine without Docker/Kubernetes: docker-compose.yml with
// `docker compose config` (the real Compose parser) when the plugin is installed, and structural checks of the
// compose file and the Kubernetes manifests with a YAML parser either way. Exits non-zero with the reasons.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const problems = [];
const SERVICES = ['ingress', 'cache', 'retriever', 'router', 'inference-worker', 'cost-ledger', 'evaluator', 'model-sim'];

function compose() {
  const file = join(root, 'docker-compose.yml');
  let spec;
  try {
    spec = parse(readFileSync(file, 'utf8'), { merge: true });
  } catch (err) {
    problems.push(`docker-compose.yml does not parse: ${err.message}`);
    return;
  }
  const services = spec.services ?? {};
  for (const name of [...SERVICES, 'kafka', 'kafka-acls', 'kafka-setup', 'redis', 'postgres', 'db-migrate', 'qdrant', 'vllm']) {
    if (!services[name]) problems.push(`docker-compose.yml: service ${name} is missing`);
  }
  if (!services.vllm?.profiles?.includes('gpu')) problems.push('docker-compose.yml: vllm must be in the gpu profile');
  for (const [name, svc] of Object.entries(services)) {
    for (const dep of Object.keys(svc.depends_on ?? {})) if (!services[dep]) problems.push(`docker-compose.yml: ${name} depends on unknown ${dep}`);
    if (SERVICES.includes(name) && svc.environment?.APP !== name) problems.push(`docker-compose.yml: ${name} must run APP=${name}`);
    // The broker refuses unauthenticated clients (SASL/SCRAM + ACLs): every platform container must log in.
    if ((SERVICES.includes(name) || name === 'kafka-setup') && svc.environment?.KAFKA_SASL_MECHANISM !== 'scram-sha-512')
      problems.push(`docker-compose.yml: ${name} must connect to Kafka with SASL/SCRAM (KAFKA_SASL_*)`);
  }
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  } catch {
    console.log('[validate-deploy] docker compose plugin not installed: structural checks only');
    return;
  }
  try {
    execFileSync('docker', ['compose', '-f', file, '--profile', 'gpu', 'config', '--quiet'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent' },
    });
    console.log('[validate-deploy] docker compose config: ok (with the gpu profile)');
  } catch (err) {
    problems.push(`docker compose config rejected docker-compose.yml: ${String(err.stderr ?? err.message).trim()}`);
  }
}

function kubernetes() {
  const kinds = {};
  for (const f of parse(readFileSync(join(root, 'infra/k8s/kustomization.yaml'), 'utf8')).resources) {
    for (const doc of parseAllDocuments(readFileSync(join(root, 'infra/k8s', f), 'utf8'))) {
      if (doc.errors.length > 0) problems.push(`infra/k8s/${f}: ${doc.errors[0].message}`);
      const obj = doc.toJS();
      if (!obj) continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) problems.push(`infra/k8s/${f}: a document lacks apiVersion, kind or metadata.name`);
      (kinds[obj.kind] ??= []).push(obj.metadata?.name);
    }
  }
  for (const s of SERVICES) {
    if (!kinds.Deployment?.includes(s)) problems.push(`infra/k8s: no Deployment for ${s}`);
    if (!kinds.Service?.includes(s)) problems.push(`infra/k8s: no Service for ${s}`);
  }
  for (const s of ['inference-worker', 'router', 'cache', 'cost-ledger']) if (!kinds.ScaledObject?.includes(s)) problems.push(`infra/k8s: no KEDA ScaledObject for ${s}`);
  // Applied on clusters with Strimzi, outside the kustomization: parsed and checked for the principals.
  const users = parseAllDocuments(readFileSync(join(root, 'infra/k8s/strimzi/kafka-users.yaml'), 'utf8')).map((d) => d.toJS());
  for (const name of ['platform', 'upstream-acme'])
    if (!users.some((u) => u?.kind === 'KafkaUser' && u.metadata?.name === name)) problems.push(`infra/k8s/strimzi: no KafkaUser ${name}`);
}

compose();
kubernetes();
if (problems.length > 0) {
  console.error(`[validate-deploy] ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log('[validate-deploy] docker-compose.yml and infra/k8s are valid');
