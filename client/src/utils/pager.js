import { reactive } from 'vue'

// A paged list (pull-to-refresh, load more at the bottom) over an endpoint returning
// {count, page, page_size, items}, and `count_capped` when the server stopped counting at a cap
// (then more pages follow until a short one). A refresh (new tab, pull-down) wins over a page still on its
// way: the older answer is dropped instead of mixing two lists.
export function createPager(fetchPage, pageSize = 20) {
  const state = reactive({
    items: [], page: 0, count: 0, capped: false, loading: false, loaded: false, done: false,
  })
  let seq = 0
  async function load(reset) {
    if (!reset && (state.loading || state.done)) return
    const mine = ++seq
    state.loading = true
    const page = reset ? 1 : state.page + 1
    try {
      const data = await fetchPage({ page, page_size: pageSize })
      if (mine !== seq) return
      state.items = reset ? data.items : state.items.concat(data.items)
      state.page = page
      state.count = data.count
      state.capped = Boolean(data.count_capped)
      const counted = !state.capped && state.items.length >= data.count
      state.done = counted || data.items.length < pageSize
    } finally {
      if (mine === seq) {
        state.loading = false
        state.loaded = true
      }
    }
  }
  return { state, refresh: () => load(true), more: () => load(false) }
}
