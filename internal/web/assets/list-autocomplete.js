// A type-ahead over each select of one of the Home Office form's lists
// (list-select.tmpl, data-module="list-autocomplete"): an editable combobox
// with a list popup, as the WAI-ARIA Authoring Practices describe it. The
// select stays in the form and carries the answer; without this script it is
// the control itself. Text that names no entry is posted as typed, so the
// server refuses it with an error rather than dropping it.

const MAX_SHOWN = 50 // a longer list is narrowed by typing, not scrolled

const fold = (s) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/&/g, ' and ').replace(/[^\p{L}\p{N}]+/gu, ' ').trim()

function enhance (select, n) {
  const id = select.id
  // An option marked data-typed is an answer the server refused, not an entry.
  const entries = [...select.options].filter(o => o.value !== '' && !('typed' in o.dataset)).map(o => ({ value: o.value, label: o.textContent, key: fold(o.textContent) }))

  const wrapper = document.createElement('div')
  wrapper.className = 'wm-autocomplete'
  const input = document.createElement('input')
  input.type = 'text'
  input.className = 'govuk-input' + (select.classList.contains('govuk-select--error') ? ' govuk-input--error' : '')
  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  input.setAttribute('autocomplete', 'off')
  input.setAttribute('spellcheck', 'false')
  const listbox = document.createElement('ul')
  listbox.id = `${id}-listbox`
  listbox.className = 'wm-autocomplete__listbox'
  listbox.setAttribute('role', 'listbox')
  const label = document.querySelector(`label[for="${CSS.escape(id)}"]`)
  if (label) {
    label.id = label.id || `${id}-label`
    listbox.setAttribute('aria-labelledby', label.id)
  }
  listbox.hidden = true
  input.setAttribute('aria-controls', listbox.id)
  const status = document.createElement('div')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('role', 'status')
  status.setAttribute('aria-live', 'polite')
  const howTo = document.createElement('span')
  howTo.id = `${id}-how-to`
  howTo.className = 'govuk-visually-hidden'
  howTo.textContent = 'Type to narrow the list, then use the up and down arrows to choose an entry and Enter to confirm it.'
  input.setAttribute('aria-describedby', [select.getAttribute('aria-describedby'), howTo.id].filter(Boolean).join(' '))

  // The label now names the input; the select is kept, hidden, for the form.
  select.id = `${id}-select`
  input.id = id
  select.hidden = true
  select.setAttribute('aria-hidden', 'true')
  select.tabIndex = -1
  select.before(wrapper)
  wrapper.append(input, listbox, status, howTo, select)

  const chosen = select.selectedOptions[0]
  input.value = !chosen || chosen.value === '' ? '' : ('typed' in chosen.dataset ? chosen.value : chosen.textContent)

  let shown = []
  let active = -1

  const close = () => {
    listbox.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    active = -1
  }
  const highlight = (i) => {
    active = i
    listbox.querySelectorAll('[role="option"]').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)))
    if (i < 0) {
      input.removeAttribute('aria-activedescendant')
      return
    }
    const li = listbox.children[i]
    input.setAttribute('aria-activedescendant', li.id)
    li.scrollIntoView({ block: 'nearest' })
  }
  const open = () => {
    const q = fold(input.value)
    const starts = []
    const contains = []
    for (const e of entries) {
      if (q === '' || e.key.startsWith(q)) starts.push(e)
      else if (e.key.includes(q)) contains.push(e)
    }
    const matches = starts.concat(contains)
    shown = matches.slice(0, MAX_SHOWN)
    listbox.replaceChildren(...shown.map((e, i) => {
      const li = document.createElement('li')
      li.id = `${id}-option-${i}`
      li.className = 'wm-autocomplete__option'
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', 'false')
      li.textContent = e.label
      return li
    }))
    listbox.hidden = shown.length === 0
    input.setAttribute('aria-expanded', String(shown.length > 0))
    active = -1
    input.removeAttribute('aria-activedescendant')
    const more = matches.length > shown.length ? `, the first ${shown.length} shown: type more to narrow them` : ''
    status.textContent = matches.length === 0 ? 'No entry matches. Check the spelling, or try part of the name.' : `${matches.length} ${matches.length === 1 ? 'entry' : 'entries'} available${more}.`
  }
  // commit makes the select carry what the input says: an entry, nothing,
  // or the text as typed, which the server will refuse.
  const commit = () => {
    select.querySelectorAll('option[data-typed]').forEach(o => o.remove())
    const text = input.value.trim()
    if (text === '') {
      select.value = ''
      return
    }
    const q = fold(text)
    const entry = entries.find(e => e.key === q) || entries.find(e => fold(e.value) === q)
    if (entry) {
      select.value = entry.value
      input.value = entry.label
      return
    }
    const typed = document.createElement('option')
    typed.value = text
    typed.textContent = text
    typed.dataset.typed = ''
    select.append(typed)
    select.value = text
  }
  const choose = (i) => {
    input.value = shown[i].label
    commit()
    close()
    status.textContent = `${shown[i].label} chosen.`
  }

  input.addEventListener('input', open)
  input.addEventListener('keydown', (ev) => {
    const isOpen = !listbox.hidden
    switch (ev.key) {
      case 'ArrowDown':
        ev.preventDefault()
        if (!isOpen) open()
        if (shown.length) highlight(ev.altKey ? -1 : Math.min(active + 1, shown.length - 1))
        break
      case 'ArrowUp':
        ev.preventDefault()
        if (!isOpen) open()
        if (shown.length) highlight(active <= 0 ? shown.length - 1 : active - 1)
        break
      case 'Enter':
        if (isOpen && active >= 0) {
          ev.preventDefault()
          choose(active)
        }
        break
      case 'Escape':
        if (isOpen) {
          ev.preventDefault()
          close()
        } else if (input.value !== '') {
          ev.preventDefault()
          input.value = ''
          commit()
        }
        break
      case 'Tab':
        if (isOpen && active >= 0) choose(active)
        break
    }
  })
  listbox.addEventListener('mousedown', (ev) => ev.preventDefault()) // keep the focus in the input
  listbox.addEventListener('click', (ev) => {
    const li = ev.target.closest('[role="option"]')
    if (li) {
      choose([...listbox.children].indexOf(li))
      input.focus()
    }
  })
  input.addEventListener('blur', () => {
    commit()
    close()
  })
  if (select.form) select.form.addEventListener('submit', commit)
  return n
}

document.querySelectorAll('select[data-module="list-autocomplete"]').forEach(enhance)
