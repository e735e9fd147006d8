/** proxy-from-env ships no type declarations; this is the one function gatehouse uses. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from *_PROXY and NO_PROXY, or '' when it goes direct. */
  export function getProxyForUrl(url: string | URL): string;
}
