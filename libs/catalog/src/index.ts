export { CatalogError, chainFor, loadCatalog, parseCatalog } from './catalog';
export { catalogSchema, PROVIDER_DIALECTS, type Catalog, type CatalogModel, type CatalogProvider, type ProviderDialect } from './catalog.schema';
