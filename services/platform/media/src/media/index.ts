export { findExecutableOnPath, resolveFfmpegBinaries, type FfmpegBinaries } from './binaries';
export { classifyContainer, ACCEPTED_DEMUXER_LIST, type AcceptedContainer } from './containers';
export { MediaProbeError, type MediaProbeFailure } from './media-probe-error';
export { probeMedia, type MediaProbe, type ProbeMediaOptions } from './probe-media';
