// A small shared store: the logged-in user and token, the cart count (tab badge), the shop.
import { reactive } from 'vue'
import { api, getToken, onUnauthorized, setToken } from '../api/http.js'
import { flushRef } from '../utils/ref.js'

const USER_KEY = 'fx_user'
const DEFAULT_THEME = '#e4393c'

export const store = reactive({
  token: getToken(),
  user: uni.getStorageSync(USER_KEY) || null,
  cartCount: 0,
  shop: null,
  get loggedIn() {
    return Boolean(this.token)
  },
  get theme() {
    return (this.shop && this.shop.theme_color) || DEFAULT_THEME
  },
})

export function setSession({ token, user }) {
  store.token = token
  store.user = user
  setToken(token)
  uni.setStorageSync(USER_KEY, user)
  // a code captured before logging in is reported now, once
  flushRef((path, data) => api.post(path, data, { silent: true }))
}

export function clearSession() {
  store.token = ''
  store.user = null
  store.cartCount = 0
  setToken('')
  uni.removeStorageSync(USER_KEY)
}

onUnauthorized(clearSession)

let shopPromise = null
// GET /shop once per launch; pages share the same promise (one API call, not one per page).
export function loadShop(force = false) {
  if (!shopPromise || force) {
    shopPromise = api
      .get('/shop', null, { auth: false, silent: true })
      .then((shop) => {
        store.shop = shop
        applyTheme(shop.theme_color)
        if (shop.name) uni.setStorageSync('fx_shop_name', shop.name)
        return shop
      })
      .catch((err) => {
        shopPromise = null
        throw err
      })
  }
  return shopPromise
}

export function applyTheme(color) {
  const theme = color || DEFAULT_THEME
  // #ifdef H5
  if (typeof document !== 'undefined') document.documentElement.style.setProperty('--fx-accent', theme)
  // #endif
  uni.setNavigationBarColor &&
    uni.setNavigationBarColor({ frontColor: '#ffffff', backgroundColor: theme, fail() {} })
  uni.setTabBarStyle && uni.setTabBarStyle({ selectedColor: theme, fail() {} })
}

export function setCartCount(count) {
  store.cartCount = count || 0
  if (store.cartCount > 0) uni.setTabBarBadge({ index: 2, text: String(store.cartCount), fail() {} })
  else uni.removeTabBarBadge({ index: 2, fail() {} })
}
