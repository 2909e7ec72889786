// The vscode-free core: everything the agent, the CLI and the tests use.
export { Segment, destroySegment, verifyIdentity, type Whence } from './segment';
export { NoFootprintSegment, mayWrite, noFootprintVia, sysvMappingOf, type SegmentAccess } from './noFootprint';
export { sameSegment } from '../protocol/segment';
export { listSegments, statSegment, listByStat, parseProcShm, type ListingSource } from './listing';
export { scanAttachments, attachmentReport, reportAttachments } from './attachments';
export { limits } from './limits';
export { removalRefusal } from './removal';
export { createReadStream, createWriteStream } from './streams';
export { ShmError, CODES, errnoName } from './errors';
export { permString } from './info';
export * from './layout';
export { search, searchChunks, type SearchOptions } from './search';
export { diffChunks, segmentReader, fileReader, type ChunkReader, type DiffResult } from './diff';
