export { CatalogError, chainFor, loadCatalog, parseCatalog } from './catalog';
export { catalogSchema, type Catalog, type CatalogModel, type CatalogProvider } from './catalog.schema';
