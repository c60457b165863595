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
