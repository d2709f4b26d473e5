/**
 * The object-storage layout of one video. Keys are built only from ids this service generated
 * (UUIDs), never from client input, so they always satisfy the storage key grammar.
 *
 *   videos/<videoId>/source                     the upload as received
 *   videos/<videoId>/hls/<requestId>/...        one transcoder run's playlists, segments and poster
 *
 * A run per folder: a re-transcode never overwrites files a player may be fetching; once it is
 * served, the previous run's folder is purged whole. A deleted video's folder goes whole too.
 */
export const videoFolderOf = (videoId: string): string => `videos/${videoId}/`;

export const sourceKeyOf = (videoId: string): string => `videos/${videoId}/source`;

export const outputPrefixOf = (videoId: string, requestId: string): string =>
  `videos/${videoId}/hls/${requestId}/`;
