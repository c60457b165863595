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

export function request(method, path, data, { auth = true, silent = false } = {}) {
  const header = { 'Content-Type': 'application/json' }
  const token = getToken()
  if (token) header.Authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    uni.request({
      url: API_BASE + path,
      method,
      data,
      header,
      dataType: 'json',
      success(res) {
        const status = res.statusCode
        if (status >= 200 && status < 300) {
          resolve(status === 204 ? null : res.data)
          return
        }
        const err = errorFromResponse(status, res.data)
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

function withQuery(path, params) {
  if (!params) return path
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')
  return query ? `${path}?${query}` : path
}
