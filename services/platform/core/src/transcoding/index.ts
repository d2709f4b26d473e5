export {
  SEGMENT_SECONDS,
  chunksFor,
  partCountOf,
  planChunks,
  type Chunk,
  type ChunkPlanOptions,
  type ChunkingSettings,
} from './chunk-plan';
