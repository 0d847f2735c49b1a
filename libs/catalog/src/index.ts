export { CatalogError, chainFor, deploymentsOf, loadCatalog, logicalModel, parseCatalog, watchCatalog } from './catalog';
export {
  CAPABILITIES,
  catalogSchema,
  PROVIDER_DIALECTS,
  type Capabilities,
  type Catalog,
  type CatalogLimits,
  type CatalogModel,
  type CatalogProvider,
  type ProviderDialect,
} from './catalog.schema';
export { WatchedFile, type WatchedFileHooks } from './watched-file';
