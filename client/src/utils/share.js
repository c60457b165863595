// What a mini-program share card carries: the sharer's own code, so the next visitor is bound.
import { store } from '../store/index.js'

export function shareQuery(extra = {}) {
  const code = (store.user && store.user.referral_code) || uni.getStorageSync('fx_my_code') || ''
  const params = { ...extra }
  if (code) params.ref = code
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
}

export function rememberMyCode(code) {
  if (code) uni.setStorageSync('fx_my_code', code)
}

const DEFAULT_TEMPLATE = '{name} 只要 ¥{price}，{tagline}'

// The shop's share text (console: 店铺装修) with {name} {price} {tagline} {url} filled in;
// the link is added on its own line when the template does not place it.
export function fillShareText(template, { name = '', price = '', tagline = '', url = '' }) {
  const text = (template || DEFAULT_TEMPLATE)
    .replace(/\{name\}/g, name)
    .replace(/\{price\}/g, price)
    .replace(/\{tagline\}/g, tagline)
    .replace(/\{url\}/g, url)
    .replace(/[，,]\s*$/, '')
  return (template || DEFAULT_TEMPLATE).includes('{url}') || !url ? text : `${text}\n${url}`
}
