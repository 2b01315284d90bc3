// A value with a one-click copy button (clipboard API, falling back to selecting the text).
import { useState } from "preact/hooks";

export function Copy({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const range = document.createRange();
      const el = document.querySelector(`[data-copy="${CSS.escape(text)}"]`);
      if (el) {
        range.selectNodeContents(el);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
        document.execCommand("copy");
      }
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <div class="copy">
      <code data-copy={text}>{text}</code>
      <button type="button" class="small" onClick={copy} aria-label={`Copy ${label}`}>
        {done ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
