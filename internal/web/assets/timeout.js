// The time-out warning (WCAG 2.2.1; the GOV.UK time-out warning pattern).
// The page says how many seconds its session has left (data-ends-in) and how
// long before that to warn (data-warn-before). The warning is a modal dialog
// that takes focus, counts down, and offers "Stay signed in" (a POST, which
// is the activity that extends the session) and "Sign out". Escape stays
// signed in. The countdown is announced when the dialog opens, then once a
// minute and at 30 seconds, not every second. Time is read from Date.now()
// on every tick, so a sleeping laptop or a throttled tab is never fooled.
const dialog = document.getElementById('wm-timeout')

if (dialog && typeof dialog.showModal === 'function') {
  const q = (s) => dialog.querySelector(s)
  const count = q('[data-wm-timeout-count]')
  const live = q('[data-wm-timeout-live]')
  const title = q('[data-wm-timeout-title]')
  const text = q('[data-wm-timeout-text]')
  const stay = q('[data-wm-timeout-stay]')
  const signOut = q('[data-wm-timeout-signout]')
  const close = q('[data-wm-timeout-close]')
  const csrf = signOut.querySelector('input[name=csrf_token]').value
  const endsText = document.querySelector('[data-wm-timeout-ends]')
  const warnBefore = Number(dialog.dataset.warnBefore) * 1000
  let deadline = Date.now() + Number(dialog.dataset.endsIn) * 1000
  let returnTo = null
  let announced = null
  let ended = false

  const words = (ms) => {
    const s = Math.max(0, Math.ceil(ms / 1000))
    if (s >= 60) {
      const m = Math.ceil(s / 60)
      return m === 1 ? '1 minute' : m + ' minutes'
    }
    return s === 1 ? '1 second' : s + ' seconds'
  }

  const open = () => {
    returnTo = document.activeElement
    announced = null
    dialog.showModal()
    title.focus()
  }

  const shut = () => {
    dialog.close()
    if (returnTo && typeof returnTo.focus === 'function') returnTo.focus()
  }

  const signedOut = () => {
    ended = true
    title.textContent = 'You have been signed out'
    text.textContent = 'For your security, Waymark has signed you out. Nothing you have typed on this page is lost: submit it and sign in again, and the form will show it again, ready to check and submit.'
    stay.hidden = true
    signOut.hidden = true
    close.hidden = false
    live.textContent = 'You have been signed out.'
    if (!dialog.open) open()
    title.focus()
  }

  const tick = () => {
    if (ended) return
    const left = deadline - Date.now()
    if (left <= 0) {
      signedOut()
      return
    }
    if (left > warnBefore) {
      if (dialog.open) shut()
      return
    }
    if (!dialog.open) open()
    count.textContent = words(left)
    // Sparingly: on opening, at each whole minute, and at 30 seconds.
    const mark = left > 60000 ? Math.ceil(left / 60000) + 'm' : (left > 30000 ? '1m' : '30s')
    if (mark !== announced) {
      announced = mark
      live.textContent = 'You will be signed out in ' + words(left) + '.'
    }
  }

  const staySignedIn = async () => {
    try {
      const res = await fetch('/session/stay', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ csrf_token: csrf })
      })
      if (!res.ok || !(res.headers.get('Content-Type') || '').includes('application/json')) {
        signedOut()
        return
      }
      const body = await res.json()
      deadline = Date.now() + body.endsInSeconds * 1000
      if (endsText) endsText.textContent = body.endsText
      if (body.endsInSeconds * 1000 <= warnBefore) {
        // The session's absolute lifetime: it cannot be extended further.
        stay.hidden = true
        text.textContent = 'You cannot stay signed in any longer: Waymark signs everyone out a fixed time after they sign in. You will be signed out at ' + body.endsText + '. Nothing you have typed on this page is lost: submit it, and if you have been signed out, sign in again and the form will show it again.'
        live.textContent = text.textContent
        title.focus()
        return
      }
      live.textContent = ''
      shut()
      tick()
    } catch (e) {
      live.textContent = 'Waymark could not be reached. Try again.'
    }
  }

  stay.addEventListener('click', staySignedIn)
  close.addEventListener('click', shut)
  dialog.addEventListener('cancel', (e) => { // Escape
    e.preventDefault()
    if (ended) shut()
    else staySignedIn()
  })
  setInterval(tick, 1000)
  tick()
}
