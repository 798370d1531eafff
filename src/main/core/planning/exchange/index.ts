/** Plan exchange with annotators: export (CSV, JSON, nnU-Net ignore label) and import of sparse annotations. */
export { exportPlan, exportFormats, exportFileNames, csvHeader, type ExportFormat, type WorkbenchBlock } from './export'
export { readSparseAnnotations, writeSparseMasks, type SparseAnnotations, type SparseItem, type ExportOrigin } from './import'
export { datasetLabelValues, ignoreValueOf } from './label-set'
