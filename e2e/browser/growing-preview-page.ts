// Bundled (esbuild) into growing-preview.browser.test.ts's page: the player's own extent code,
// exposed to the page's script. hls.js itself comes from its dist file as the global Hls.
import { describeEncodedExtent, followEncodedExtent } from '../../web/src/lib/encoded-extent';

(globalThis as unknown as Record<string, unknown>).playerExtent = {
  describeEncodedExtent,
  followEncodedExtent,
};
