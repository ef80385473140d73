// Saves an NRM draft section while it is typed: a progressive enhancement.
// Without JavaScript every answer is saved when Continue is pressed. Each
// save sends the field versions the page holds and takes back the new ones,
// so a change made elsewhere meanwhile is reported, never overwritten.
const form = document.querySelector('form[data-wm-autosave]')
const status = document.getElementById('wm-autosave-status')

if (form && status && window.fetch) {
  let timer = null
  let saving = false
  let again = false
  const save = async () => {
    if (saving) {
      again = true
      return
    }
    saving = true
    try {
      const resp = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { 'X-Waymark-Autosave': '1' },
        credentials: 'same-origin'
      })
      const body = await resp.json()
      if (resp.ok) {
        for (const [id, state] of Object.entries(body.fields)) {
          const version = form.elements['version-' + id]
          if (version) version.value = state.version
          const shown = form.elements['shown-' + id]
          if (shown) shown.value = state.shown
        }
        status.textContent = 'Your answers were saved at ' + body.savedAt + '.'
      } else {
        status.textContent = 'Not saved: ' + (body.detail || 'press Continue to save your answers.')
      }
    } catch {
      status.textContent = 'Not saved yet. Press Continue to save your answers.'
    }
    saving = false
    if (again) {
      again = false
      save()
    }
  }
  form.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(save, 1500)
  })
}
