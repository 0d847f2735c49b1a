export { DeploymentHealth, type DeploymentSignal } from './deployment-health';
