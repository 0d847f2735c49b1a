export { ADMIN_TOKEN, AdminAuthError, AdminTokenGuard } from './admin-token.guard';
export { errorBody, type HttpErrorBody, type HttpStatusMapper } from './http-error';
export { HttpExceptionFilter } from './http-exception.filter';
export { OpsModule } from './ops.module';
export { runService, startService, type RunningService, type ServiceDefinition, type ServiceSettings } from './run-service';
export { LOGGER, SERVICE_NAME } from './tokens';
