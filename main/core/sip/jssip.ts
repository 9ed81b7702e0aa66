// The only door to JsSIP's code in the core: the scoped bundle (see
// scripts/build-jssip.mjs), never the `jssip` package directly, so no code
// path can reach JsSIP's browser globals. Types come from `jssip/lib/*`
// (`import type`, erased at build time).
export { JsSIP, OutgoingRequest, RequestSender, setMediaClasses, mediaClasses } from '#jssip';
