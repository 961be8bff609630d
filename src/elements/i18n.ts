/**
 * Strings of every Flare element in English and Simplified Chinese, and the small machinery to pick
 * them: the locale comes from the element's own `lang`, else the nearest ancestor's, else the page's,
 * else the browser's; any string can be overridden per element through its `strings` property.
 * Elements register their tables here (or add them below); keys are namespaced by element.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Supported locales. */
export type Locale = 'en' | 'zh-CN';

/** A message table: key -> text with `{name}` placeholders. */
export type Messages = Record<string, string>;

const catalogs: Record<Locale, Messages> = { en: {}, 'zh-CN': {} };

/** Adds (or replaces) messages of `locale`. */
export function registerMessages(locale: Locale, messages: Messages): void {
  Object.assign(catalogs[locale], messages);
}

/** Maps a BCP 47 tag onto a supported locale: any Chinese except Traditional goes to zh-CN. */
export function resolveLocale(tag: string | null | undefined): Locale {
  const t = (tag ?? '').toLowerCase();
  if (t.startsWith('zh') && !/hant|-tw|-hk|-mo/.test(t)) return 'zh-CN';
  return 'en';
}

/** The locale in effect for `element`. */
export function localeOf(element: Element): Locale {
  const own = element.closest('[lang]')?.getAttribute('lang');
  return resolveLocale(own || globalThis.document?.documentElement.lang || globalThis.navigator?.language);
}

/** Looks `key` up (overrides, then the locale, then English, then the key itself) and fills placeholders. */
export function translate(locale: Locale, key: string, params: Record<string, string | number> = {}, overrides?: Partial<Messages>): string {
  const text = overrides?.[key] ?? catalogs[locale][key] ?? catalogs.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** What an element offers to the controller. */
export interface LocalizedHost extends ReactiveControllerHost, HTMLElement {
  /** Per-element overrides of any message. */
  strings?: Partial<Messages>;
}

/**
 * Gives an element `t(key, params)` in its locale and re-renders it when the page language changes
 * (`<html lang>` or an ancestor's `lang`).
 */
export class LocalizeController implements ReactiveController {
  readonly #host: LocalizedHost;
  #observer: MutationObserver | null = null;

  constructor(host: LocalizedHost) {
    this.#host = host;
    host.addController(this);
  }

  get locale(): Locale {
    return localeOf(this.#host);
  }

  t(key: string, params?: Record<string, string | number>): string {
    return translate(this.locale, key, params, this.#host.strings);
  }

  hostConnected(): void {
    this.#observer = new MutationObserver(() => this.#host.requestUpdate());
    this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = null;
  }
}

// <device-check>
registerMessages('en', {
  'deviceCheck.title': 'Device check',
  'deviceCheck.intro': 'Check your camera, microphone, speakers and connection before the call.',
  'deviceCheck.start': 'Start check',
  'deviceCheck.requesting': 'Asking for access to your camera and microphone…',
  'deviceCheck.retry': 'Try again',
  'deviceCheck.camera': 'Camera',
  'deviceCheck.microphone': 'Microphone',
  'deviceCheck.speaker': 'Speaker',
  'deviceCheck.default': 'System default',
  'deviceCheck.preview': 'Camera preview',
  'deviceCheck.noPreview': 'No camera picture',
  'deviceCheck.micLevel': 'Microphone level',
  'deviceCheck.micHint': 'Say something: the bar should move.',
  'deviceCheck.speakerTest': 'Play test sound',
  'deviceCheck.speakerPlaying': 'Playing…',
  'deviceCheck.speakerQuestion': 'Did you hear the sound?',
  'deviceCheck.yes': 'Yes',
  'deviceCheck.no': 'No',
  'deviceCheck.speakerOk': 'Speaker works.',
  'deviceCheck.speakerFailed': 'No sound: check the volume, or choose another speaker.',
  'deviceCheck.speakerDefaultOnly': 'This browser plays sound on the system default output only.',
  'deviceCheck.network': 'Network',
  'deviceCheck.networkRunning': 'Measuring the connection… {done}/{total}',
  'deviceCheck.networkSkipped': 'Network test skipped: not connected to a server.',
  'deviceCheck.networkFailed': 'The network test could not run.',
  'deviceCheck.networkResult': 'Round trip {rtt} ms, jitter {jitter} ms, loss {loss}%',
  'deviceCheck.networkRerun': 'Test again',
  'deviceCheck.level.1': 'Excellent',
  'deviceCheck.level.2': 'Good',
  'deviceCheck.level.3': 'Fair',
  'deviceCheck.level.4': 'Poor',
  'deviceCheck.level.5': 'Very poor',
  'deviceCheck.level.6': 'No connection',
  'deviceCheck.verdict.pending': 'Checking…',
  'deviceCheck.verdict.ready': 'All set: you are ready for the call.',
  'deviceCheck.verdict.limited': 'You can join, but something is not working well (see above).',
  'deviceCheck.verdict.blocked': 'Neither camera nor microphone can be used yet.',
  'deviceCheck.continue': 'Continue',
  'device.audio': 'microphone',
  'device.video': 'camera',
  'guidance.denied': 'Access to the {device} was refused. Allow it in the browser (the camera icon in the address bar, or the site settings), then press “Try again”.',
  'guidance.blocked-by-policy': 'This page is not allowed to use the {device}: a site or administrator policy blocks it. If this page is embedded, the embedding page has to allow it; otherwise ask your administrator.',
  'guidance.blocked-by-system': 'Your operating system does not let the browser use the {device}. Allow it in the system privacy settings (macOS: Privacy & Security; Windows: Privacy settings), then try again.',
  'guidance.in-use': 'The {device} is in use by another application. Close other apps that may use it (calls, recorders), then try again.',
  'guidance.missing': 'No {device} was found. Connect one (it is picked up automatically) or check that it is switched on.',
  'guidance.insecure-context': 'Browsers allow cameras and microphones only on secure pages. Open this page over https (or on localhost).',
  'guidance.unknown': 'The {device} could not be started ({error}). Try again or choose another device.',
});

registerMessages('zh-CN', {
  'deviceCheck.title': '设备检测',
  'deviceCheck.intro': '通话前检查摄像头、麦克风、扬声器和网络连接。',
  'deviceCheck.start': '开始检测',
  'deviceCheck.requesting': '正在请求摄像头和麦克风权限…',
  'deviceCheck.retry': '重试',
  'deviceCheck.camera': '摄像头',
  'deviceCheck.microphone': '麦克风',
  'deviceCheck.speaker': '扬声器',
  'deviceCheck.default': '系统默认',
  'deviceCheck.preview': '摄像头预览',
  'deviceCheck.noPreview': '没有摄像头画面',
  'deviceCheck.micLevel': '麦克风音量',
  'deviceCheck.micHint': '请说话：音量条应当跳动。',
  'deviceCheck.speakerTest': '播放测试音',
  'deviceCheck.speakerPlaying': '正在播放…',
  'deviceCheck.speakerQuestion': '您听到声音了吗？',
  'deviceCheck.yes': '听到了',
  'deviceCheck.no': '没听到',
  'deviceCheck.speakerOk': '扬声器正常。',
  'deviceCheck.speakerFailed': '没有声音：请检查音量，或选择其他扬声器。',
  'deviceCheck.speakerDefaultOnly': '此浏览器只能通过系统默认输出设备播放声音。',
  'deviceCheck.network': '网络',
  'deviceCheck.networkRunning': '正在测量网络… {done}/{total}',
  'deviceCheck.networkSkipped': '已跳过网络检测：未连接服务器。',
  'deviceCheck.networkFailed': '网络检测无法进行。',
  'deviceCheck.networkResult': '往返时延 {rtt} 毫秒，抖动 {jitter} 毫秒，丢包 {loss}%',
  'deviceCheck.networkRerun': '重新检测',
  'deviceCheck.level.1': '极好',
  'deviceCheck.level.2': '良好',
  'deviceCheck.level.3': '一般',
  'deviceCheck.level.4': '较差',
  'deviceCheck.level.5': '很差',
  'deviceCheck.level.6': '无连接',
  'deviceCheck.verdict.pending': '检测中…',
  'deviceCheck.verdict.ready': '一切就绪，可以开始通话。',
  'deviceCheck.verdict.limited': '可以加入通话，但有些功能工作不正常（见上文）。',
  'deviceCheck.verdict.blocked': '摄像头和麦克风目前都无法使用。',
  'deviceCheck.continue': '继续',
  'device.audio': '麦克风',
  'device.video': '摄像头',
  'guidance.denied': '{device}权限被拒绝。请在浏览器中允许访问（地址栏中的摄像头图标或网站设置），然后点击“重试”。',
  'guidance.blocked-by-policy': '此页面不允许使用{device}：网站或管理员策略禁止了它。如果页面是嵌入的，需要由外层页面授权；否则请联系管理员。',
  'guidance.blocked-by-system': '操作系统禁止浏览器使用{device}。请在系统隐私设置中允许（macOS：隐私与安全性；Windows：隐私设置），然后重试。',
  'guidance.in-use': '{device}正被其他应用占用。请关闭可能使用它的应用（通话、录制软件），然后重试。',
  'guidance.missing': '未找到{device}。请连接设备（插入后会自动识别），或确认设备已打开。',
  'guidance.insecure-context': '浏览器只允许安全页面使用摄像头和麦克风。请通过 https（或 localhost）打开此页面。',
  'guidance.unknown': '{device}无法启动（{error}）。请重试或选择其他设备。',
});
