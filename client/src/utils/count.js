// How many things a list holds, as a shopper reads it: "1,498", or "10,000+" when the server
// stopped counting at its cap (`count_capped`). Grouped by hand, not toLocaleString: the
// mini-program's JS engine may lack the locale data and print "10000".
export function groupThousands(n) {
  return String(Math.max(0, Math.trunc(Number(n) || 0))).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export function countText(count, capped = false) {
  return groupThousands(count) + (capped ? '+' : '')
}
