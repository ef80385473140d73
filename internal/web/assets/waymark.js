// Waymark's only script: a same-origin module, so the CSP needs no inline script.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
// A link styled as a button (role="button") is pressed with the Space key
// too, as a button is: GOV.UK Frontend's button module does it for each
// element marked data-module="govuk-button", so mark every such link,
// including any a page forgot to mark.
for (const link of document.querySelectorAll('a.govuk-button[role="button"]:not([data-module])')) {
  link.setAttribute('data-module', 'govuk-button')
}
initAll()
