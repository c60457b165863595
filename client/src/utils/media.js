// Media URLs from the API are site-absolute (/media/...). uni's <image> would read them as the
// app's own static files (under /h5/ in H5, inside the package in WeChat), so make them absolute.
/* global __PUBLIC_BASE_URL__ */
export function apiOrigin() {
  // #ifdef H5
  if (typeof window !== 'undefined' && window.location) return window.location.origin
  // #endif
  return typeof __PUBLIC_BASE_URL__ !== 'undefined' ? __PUBLIC_BASE_URL__ : ''
}

export function mediaUrl(url, origin = apiOrigin()) {
  if (!url) return ''
  if (/^(https?:)?\/\//.test(url) || url.startsWith('data:')) return url
  return origin + (url.startsWith('/') ? url : `/${url}`)
}

// the same for <img src="/media/..."> inside product descriptions
export function absoluteHtml(html, origin = apiOrigin()) {
  return (html || '').replace(/(<img\b[^>]*\ssrc=["'])\/(?!\/)/gi, `$1${origin}/`)
}
