/**
 * The object-storage layout of one video. Keys are built only from ids this service generated
 * (UUIDs), never from client input, so they always satisfy the storage key grammar.
 *
 *   videos/<videoId>/source                     the upload as received
 *   videos/<videoId>/hls/<requestId>/...        one transcoder run's playlists, segments and poster
 *     .../preview.m3u8, .../preview/...         that run's fast preview (the transcoder's
 *                                                src/preview/encode-preview.ts), served only while
 *                                                the video is `playable`, purged once it is ready
 *
 * A run per folder: a re-transcode never overwrites files a player may be fetching; once it is
 * served, the previous run's folder is purged whole. A deleted video's folder goes whole too.
 */
export const videoFolderOf = (videoId: string): string => `videos/${videoId}/`;

export const sourceKeyOf = (videoId: string): string => `videos/${videoId}/source`;

export const outputPrefixOf = (videoId: string, requestId: string): string =>
  `videos/${videoId}/hls/${requestId}/`;

/**
 * What a run's fast preview leaves in its folder (`outputPrefix` ends with '/'): its master playlist
 * and its rendition's folder, names the transcoder writes them under (PREVIEW_MASTER_FILE and
 * PREVIEW_FOLDER in its src/preview/encode-preview.ts). Purge prefixes, so the folder ends with '/'
 * and nothing else in the run's folder that merely starts with "preview" goes with it.
 */
export const previewKeysOf = (outputPrefix: string): string[] => [
  `${outputPrefix}preview.m3u8`,
  `${outputPrefix}preview/`,
];
