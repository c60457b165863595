// Unit tests of the client's own logic; no uni plugin, a fake `uni` from tests/uni.js.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  define: { __API_BASE__: JSON.stringify('/api/v1'), __PUBLIC_BASE_URL__: JSON.stringify('') },
  test: { include: ['tests/**/*.test.js'], setupFiles: ['tests/uni.js'], environment: 'node' },
})
