// Referral capture: a page opened with ?ref=CODE (H5 search or hash query; a coupon link adds
// coupon=ID) or a mini-program code's scene "r=CODE&p=ID" keeps the code until the visitor is
// logged in, then reports the visit once (POST /referrals/visit) and forgets it.
import { parseQuery } from './query.js'

const KEY = 'fx_ref'
const CODE_RE = /^[A-Za-z0-9_-]{1,32}$/

function cleanCode(code) {
  const text = String(code || '').trim()
  return CODE_RE.test(text) ? text : ''
}

function toId(value) {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : null
}

export function refFromScene(scene) {
  if (!scene) return null
  let text = String(scene)
  try {
    text = decodeURIComponent(text)
  } catch {
    /* keep it raw */
  }
  const q = parseQuery(text)
  const code = cleanCode(q.r || q.ref)
  return code ? { code, productId: toId(q.p || q.id) } : null
}

export function refFromQuery(query) {
  if (!query) return null
  if (query.scene) {
    const fromScene = refFromScene(query.scene)
    if (fromScene) return fromScene
  }
  const code = cleanCode(query.ref)
  if (!code) return null
  // a coupon share link (/pages/coupon/detail?coupon=ID&ref=X) is a visit from a coupon
  if (query.coupon) return { code, productId: null, source: 'coupon' }
  return { code, productId: toId(query.id || query.product_id) }
}

// An H5 address: /?ref=X#/pages/product/detail?id=3 or /#/pages/product/detail?id=3&ref=X
export function refFromUrl(href) {
  if (!href) return null
  const hashAt = href.indexOf('#')
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt)
  const hash = hashAt < 0 ? '' : href.slice(hashAt + 1)
  const searchAt = beforeHash.indexOf('?')
  const search = parseQuery(searchAt < 0 ? '' : beforeHash.slice(searchAt + 1))
  const hashQueryAt = hash.indexOf('?')
  const hashQuery = parseQuery(hashQueryAt < 0 ? '' : hash.slice(hashQueryAt + 1))
  const fromHash = refFromQuery(hashQuery)
  if (fromHash) return fromHash
  const fromSearch = refFromQuery(search)
  if (!fromSearch) return null
  // the product may be named in the hash route even when the code is in the search part
  if (!fromSearch.productId && hash.startsWith('/pages/product/detail')) {
    fromSearch.productId = toId(hashQuery.id)
  }
  return fromSearch
}

export function saveRef(ref) {
  if (!ref || !ref.code) return
  const value = { code: ref.code, productId: ref.productId || null }
  if (ref.source) value.source = ref.source
  uni.setStorageSync(KEY, value)
}

export function pendingRef() {
  const value = uni.getStorageSync(KEY)
  return value && value.code ? value : null
}

export function clearRef() {
  uni.removeStorageSync(KEY)
}

// Called from App.onLaunch/onShow and each page's onLoad with its query.
export function captureRef(query) {
  const found = refFromQuery(query) || (typeof window !== 'undefined' && window.location
    ? refFromUrl(window.location.href)
    : null)
  if (found) saveRef(found)
  return found
}

// Report the stored visit once the user has a token. A refused code is dropped; a network
// failure keeps it for the next try.
export async function flushRef(post) {
  const ref = pendingRef()
  if (!ref) return null
  try {
    const body = { code: ref.code, product_id: ref.productId }
    if (ref.source) body.source = ref.source
    const result = await post('/referrals/visit', body)
    clearRef()
    return result
  } catch (err) {
    if (err && err.status && err.status < 500 && err.code !== 'unauthorized') clearRef()
    return null
  }
}
