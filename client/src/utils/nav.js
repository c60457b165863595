import { computed } from 'vue'
import { store } from '../store/index.js'
import { apiOrigin } from './media.js'

export const TAB_PAGES = ['/pages/index/index', '/pages/category/index', '/pages/cart/index', '/pages/me/index']

export function go(url) {
  if (!url) return
  const path = url.split('?')[0]
  if (TAB_PAGES.includes(path)) uni.switchTab({ url: path })
  else uni.navigateTo({ url, fail: () => uni.redirectTo({ url }) })
}

export function replace(url) {
  const path = url.split('?')[0]
  if (TAB_PAGES.includes(path)) uni.switchTab({ url: path })
  else uni.redirectTo({ url })
}

// the shop's theme colour as a CSS variable on each page's root view (works in H5 and WeChat)
export const themeStyle = computed(() => `--fx-accent: ${store.theme};`)

// a new id per submitted form, so a double tap or a retry places one order
export function requestId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}

// The origin of share links: in H5 the one we are served from (fenxiao serves the client), in
// the mini-program the public one that /distributor/me's share_url names.
export function shareOrigin(shareUrl) {
  // #ifdef H5
  if (typeof window !== 'undefined' && window.location) return window.location.origin
  // #endif
  if (shareUrl) return shareUrl.split('?')[0].split('#')[0].replace(/\/+$/, '')
  return apiOrigin()
}

export function productLink(origin, productId, code) {
  return `${origin}/products/${productId}${code ? `?ref=${encodeURIComponent(code)}` : ''}`
}

export function couponLink(origin, couponId, code) {
  return `${origin}/coupons/${couponId}${code ? `?ref=${encodeURIComponent(code)}` : ''}`
}
