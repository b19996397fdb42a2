// Bottleneck's light build (the one @octokit/plugin-retry and plugin-throttling load) has the API
// of the full build but ships no typings of its own.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
