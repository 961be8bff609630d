/**
 * Accessibility checks for element tests: axe-core (loaded once as a classic script, its UMD build)
 * run on an element including its shadow root, plus a direct check that every interactive control in
 * a shadow root has an accessible name.
 */
interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }>;
}
interface Axe {
  run(context: Element, options?: Record<string, unknown>): Promise<AxeResult>;
}

let loading: Promise<Axe> | null = null;

function loadAxe(): Promise<Axe> {
  return (loading ??= new Promise<Axe>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve((globalThis as unknown as { axe: Axe }).axe);
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  }));
}

/** Runs axe on `element` (WCAG 2.1 A/AA rules) and returns readable violations (empty = clean). */
export async function axeViolations(element: Element): Promise<string[]> {
  const axe = await loadAxe();
  const result = await axe.run(element, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, rules: { region: { enabled: false } } });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** Accessible name of a control, computed the simple way (aria-label, aria-labelledby, label, text). */
function accessibleName(el: Element, root: ShadowRoot): string {
  const aria = el.getAttribute('aria-label');
  if (aria) return aria.trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\s+/).map((id) => root.getElementById(id)?.textContent ?? '').join(' ').trim();
  if (el.id) {
    const label = root.querySelector(`label[for="${el.id}"]`);
    if (label?.textContent?.trim()) return label.textContent.trim();
  }
  if (el.closest('label')?.textContent?.trim()) return el.closest('label')!.textContent!.trim();
  return (el.textContent ?? '').trim();
}

/** Every button, select, input, [role=meter] and [role=progressbar] in the shadow root, unnamed ones listed. */
export function unnamedControls(host: Element): string[] {
  const root = host.shadowRoot!;
  const controls = root.querySelectorAll('button, select, input, textarea, progress, [role="meter"], [role="progressbar"], video');
  return [...controls].filter((c) => accessibleName(c, root) === '').map((c) => c.outerHTML.slice(0, 80));
}
