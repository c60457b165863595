import { reactive } from 'vue'

// A paged list (pull-to-refresh, load more at the bottom) over an endpoint returning
// {count, page, page_size, items}.
export function createPager(fetchPage, pageSize = 20) {
  const state = reactive({ items: [], page: 0, count: 0, loading: false, loaded: false, done: false })
  async function load(reset) {
    if (state.loading || (!reset && state.done)) return
    state.loading = true
    const page = reset ? 1 : state.page + 1
    try {
      const data = await fetchPage({ page, page_size: pageSize })
      state.items = reset ? data.items : state.items.concat(data.items)
      state.page = page
      state.count = data.count
      state.done = state.items.length >= data.count || data.items.length < pageSize
    } finally {
      state.loading = false
      state.loaded = true
    }
  }
  return { state, refresh: () => load(true), more: () => load(false) }
}
