// A stand-in for the uni runtime: in-memory storage and a scripted uni.request.
import { beforeEach } from 'vitest'

const storage = new Map()
export const calls = { requests: [], navigations: [], toasts: [] }
let responder = () => ({ statusCode: 200, data: {} })

export function respond(fn) {
  responder = fn
}

globalThis.uni = {
  getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
  setStorageSync: (k, v) => storage.set(k, v),
  removeStorageSync: (k) => storage.delete(k),
  request(options) {
    calls.requests.push(options)
    const result = responder(options)
    if (result === 'network') options.fail({ errMsg: 'request:fail' })
    else options.success(result)
  },
  navigateTo: (o) => calls.navigations.push(o.url),
  redirectTo: (o) => calls.navigations.push(o.url),
  showToast: (o) => calls.toasts.push(o.title),
}
globalThis.getCurrentPages = () => [{ route: 'pages/product/detail', options: { id: '7' } }]

beforeEach(() => {
  storage.clear()
  calls.requests.length = 0
  calls.navigations.length = 0
  calls.toasts.length = 0
  responder = () => ({ statusCode: 200, data: {} })
})
