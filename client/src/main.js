import { createSSRApp } from 'vue'
import App from './App.vue'
import { applyTheme, store } from './store/index.js'

export function createApp() {
  const app = createSSRApp(App)
  // every page shows the shop's colour in its navigation bar (pages.json can only fix one)
  app.mixin({
    onShow() {
      if (store.shop) applyTheme(store.shop.theme_color)
    },
  })
  return { app }
}
