export { CatalogError, chainFor, deploymentsOf, loadCatalog, logicalModel, parseCatalog, watchCatalog } from './catalog';
export { CAPABILITIES, catalogSchema, type Capabilities, type Catalog, type CatalogLimits, type CatalogModel, type CatalogProvider } from './catalog.schema';
export { WatchedFile, type WatchedFileHooks } from './watched-file';
