// uni.request wrapper: base URL, bearer token from storage, JSON errors as ApiError with a
// Chinese message; 401 forgets the token and opens the log-in page with the way back.
import { errorFromResponse, networkError } from './errors.js'

export const TOKEN_KEY = 'fx_token'
export const LOGIN_PAGE = '/pages/login/index'
/* global __API_BASE__ */
export const API_BASE = typeof __API_BASE__ !== 'undefined' ? __API_BASE__ : '/api/v1'

let unauthorized = () => {}
// the store forgets the user when the server says the session is over (no import cycle)
export function onUnauthorized(fn) {
  unauthorized = fn
}

export function getToken() {
  return uni.getStorageSync(TOKEN_KEY) || ''
}

export function setToken(token) {
  if (token) uni.setStorageSync(TOKEN_KEY, token)
  else uni.removeStorageSync(TOKEN_KEY)
}

// The current page as "/pages/x/y?a=1", to come back to after logging in.
export function currentRoute() {
  const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
  const page = pages[pages.length - 1]
  if (!page || !page.route) return ''
  const options = page.options || (page.$page && page.$page.options) || {}
  const query = Object.entries(options)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
  return `/${page.route}${query ? `?${query}` : ''}`
}

export function goLogin(back = currentRoute()) {
  if (back.startsWith(LOGIN_PAGE)) return
  const url = back ? `${LOGIN_PAGE}?redirect=${encodeURIComponent(back)}` : LOGIN_PAGE
  uni.navigateTo({ url, fail: () => uni.redirectTo({ url }) })
}

// An error body of a binary request arrives as bytes: decode the JSON {code, message} in it.
export function decodeUtf8(buffer) {
  if (typeof buffer === 'string') return buffer
  const bytes = new Uint8Array(buffer || new ArrayBuffer(0))
  if (typeof TextDecoder !== 'undefined') return new TextDecoder('utf-8').decode(bytes)
  // the mini-program runtime may lack TextDecoder
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    let cp
    let n
    if (b < 0x80) [cp, n] = [b, 1]
    else if (b >= 0xf0) [cp, n] = [b & 0x07, 4]
    else if (b >= 0xe0) [cp, n] = [b & 0x0f, 3]
    else [cp, n] = [b & 0x1f, 2]
    for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f)
    out += String.fromCodePoint(cp)
    i += n
  }
  return out
}

export function bodyOf(data) {
  if (data && typeof data === 'object' && !(data instanceof ArrayBuffer)) return data
  try {
    return JSON.parse(decodeUtf8(data))
  } catch {
    return null
  }
}

export function request(method, path, data, { auth = true, silent = false, responseType } = {}) {
  const header = { 'Content-Type': 'application/json' }
  const token = getToken()
  if (token) header.Authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    uni.request({
      url: API_BASE + path,
      method,
      data,
      header,
      dataType: responseType ? 'binary' : 'json',
      ...(responseType ? { responseType } : {}),
      success(res) {
        const status = res.statusCode
        if (status >= 200 && status < 300) {
          resolve(status === 204 ? null : res.data)
          return
        }
        const err = errorFromResponse(status, responseType ? bodyOf(res.data) : res.data)
        if (status === 401) {
          setToken('')
          unauthorized()
          if (auth) goLogin()
        }
        reject(err)
      },
      fail() {
        reject(networkError())
      },
    })
  }).catch((err) => {
    if (!silent && err.code !== 'unauthorized') {
      uni.showToast({ title: err.message, icon: 'none', duration: 2500 })
    }
    throw err
  })
}

export const api = {
  get: (path, params, opts) => request('GET', withQuery(path, params), undefined, opts),
  post: (path, data, opts) => request('POST', path, data || {}, opts),
  put: (path, data, opts) => request('PUT', path, data || {}, opts),
  patch: (path, data, opts) => request('PATCH', path, data || {}, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
}

// GET of a binary body (the poster PNG) with the bearer token: resolves to an ArrayBuffer.
export const binary = {
  get: (path, params, opts) =>
    request('GET', withQuery(path, params), undefined, { ...opts, responseType: 'arraybuffer' }),
}

function withQuery(path, params) {
  if (!params) return path
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
  return query ? `${path}?${query}` : path
}
