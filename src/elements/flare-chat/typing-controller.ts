/**
 * The composer's side of the typing indicator: tells the ChatSource the user is typing at most once
 * per few seconds while keys keep coming, and that they stopped after a pause, on send, on an emptied
 * composer or when the element leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatSource } from './chat-source.ts';

/** How long after the last keystroke the user is taken to have stopped typing. */
const TYPING_IDLE_MS = 4000;
/** At most one "typing" notice per this long while the user keeps typing. */
const TYPING_REPEAT_MS = 2500;

export class TypingController implements ReactiveController {
  readonly #chat: () => ChatSource | null;
  #sentAt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `chat` gives the source currently rendered (it may change). */
  constructor(host: ReactiveControllerHost, chat: () => ChatSource | null) {
    this.#chat = chat;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** The composer's text changed to `text`. */
  input(text: string): void {
    const chat = this.#chat();
    if (!chat) return;
    if (!text.trim()) return this.stop();
    const now = Date.now();
    if (now - this.#sentAt > TYPING_REPEAT_MS) {
      this.#sentAt = now;
      chat.setTyping(true);
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** The user stopped typing (sent, emptied the composer, paused, or left). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#sentAt) this.#chat()?.setTyping(false);
    this.#sentAt = 0;
  }
}
