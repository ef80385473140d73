// Copy buttons on the NRM copy view: a progressive enhancement. Without
// JavaScript each answer is still a read-only box whose text can be
// selected and copied; with it, each box gets a button that copies it.
const status = document.getElementById('wm-copy-status')

for (const button of document.querySelectorAll('button[data-wm-copy]')) {
  const box = document.getElementById(button.dataset.wmCopy)
  if (!box || !navigator.clipboard) continue
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(box.value)
      if (status) status.textContent = 'Copied. Paste it into the form.'
      button.firstChild.textContent = 'Copied'
      setTimeout(() => { button.firstChild.textContent = 'Copy' }, 3000)
    } catch {
      box.focus()
      box.select()
      if (status) status.textContent = 'Copying was blocked: the answer is selected, so copy it with your keyboard.'
    }
  })
}
