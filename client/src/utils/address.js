export function addressText(a) {
  if (!a) return ''
  return `${a.province}${a.city}${a.district}${a.detail}`
}

// The address to preselect: the one just chosen, else the default, else the first.
export function pickAddress(list, chosenId) {
  if (!list || !list.length) return null
  return list.find((a) => a.id === chosenId) || list.find((a) => a.is_default) || list[0]
}

export function orderAddress(a) {
  const { name, phone, province, city, district, detail } = a
  return { name, phone, province, city, district, detail }
}
