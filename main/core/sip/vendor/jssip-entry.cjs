// Entry of the JsSIP bundle for Node/Electron main (see scripts/build-jssip.mjs).
// Everything from JsSIP that the core uses is exported from this one bundle so
// the classes share one module graph (RequestSender and UA internals).
const { kwMediaScope } = require('./media-scope.cjs');
module.exports = {
  JsSIP: require('jssip'),
  OutgoingRequest: require('jssip/lib/SIPMessage').OutgoingRequest,
  RequestSender: require('jssip/lib/RequestSender'),
  Grammar: require('jssip/lib/Grammar'),
  mediaScope: kwMediaScope,
};
