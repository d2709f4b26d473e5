/**
 * Headers on every answer of the API, following the OWASP REST Security Cheat Sheet. They replace
 * helmet's defaults, which are written for HTML pages (a long CSP, DNS-prefetch, download and
 * XSS-auditor switches a JSON or HLS answer has no use for) and cost a middleware chain of their
 * own per request: here they are one precomputed list, set in the request's first middleware.
 *
 * - CSP `default-src 'none'; frame-ancestors 'none'` and X-Frame-Options: no answer of ours is a
 *   document that may load anything or be framed.
 * - X-Content-Type-Options: a browser must not sniff a JSON or media answer into HTML.
 * - Cross-Origin-Resource-Policy same-site: other sites cannot embed our answers (players use CORS).
 * - Strict-Transport-Security: browsers remember to use HTTPS (ignored on plain HTTP, as in dev).
 * - Referrer-Policy no-referrer: playback URLs carry short-lived tokens that must not leak onwards.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-site'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];
