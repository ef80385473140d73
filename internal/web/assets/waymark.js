// Waymark's only script: a same-origin module, so the CSP needs no inline script.
import { initAll } from './govuk-frontend.min.js'
import './list-autocomplete.js' // the type-ahead over the Home Office lists' selects

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
// A link styled as a button (role="button") is pressed with the Space key
// too, as a button is: GOV.UK Frontend's button module does it for each
// element marked data-module="govuk-button", so mark every such link,
// including any a page forgot to mark.
for (const link of document.querySelectorAll('a.govuk-button[role="button"]:not([data-module])')) {
  link.setAttribute('data-module', 'govuk-button')
}
initAll()

// Each table that does not stack on a narrow screen scrolls sideways in its
// own region, named after its caption, rather than widening the page
// (waymark.css, .wm-table-scroll). The region takes the focus only while it
// scrolls, so that a keyboard can scroll it and no empty tab stop is added.
const scrollers = []
for (const table of document.querySelectorAll('table.govuk-table:not(.wm-stack-table)')) {
  let region = table.parentElement
  if (!region.classList.contains('wm-table-scroll')) {
    region = document.createElement('div')
    region.className = 'wm-table-scroll'
    region.setAttribute('role', 'region')
    const caption = table.caption ? table.caption.textContent.replace(/\s+/g, ' ').trim() : ''
    region.setAttribute('aria-label', caption || 'Table')
    table.before(region)
    region.append(table)
  }
  scrollers.push(region)
}
// A region's size changes when the screen turns or the text is enlarged.
const focusableWhileScrolling = (region) => {
  if (region.scrollWidth > region.clientWidth) {
    region.setAttribute('tabindex', '0')
  } else if (document.activeElement !== region) {
    region.removeAttribute('tabindex')
  }
}
for (const region of scrollers) {
  focusableWhileScrolling(region)
}
if ('ResizeObserver' in window) {
  const observer = new ResizeObserver(entries => entries.forEach(e => focusableWhileScrolling(e.target)))
  scrollers.forEach(region => observer.observe(region))
} else {
  window.addEventListener('resize', () => scrollers.forEach(focusableWhileScrolling))
}
