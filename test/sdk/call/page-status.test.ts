import { expect } from 'chai';
import { sendMouse } from '@web/test-runner-commands';
import { PageStatusTracker, type PageDocument } from '../../../src/sdk/call/page-status.ts';
import { CallStateManager } from '../../../src/sdk/call/call-state-manager.ts';
import { PageStatus } from '../../../src/sdk/call/call-types.ts';
import { firstFrame, waitFor } from './wait.ts';

/** Clicks a real (trusted) button so that the handler has user activation. */
async function clickWithGesture(action: () => Promise<void>): Promise<void> {
  const button = document.createElement('button');
  button.textContent = 'go';
  button.style.cssText = 'position:fixed;left:0;top:0;width:80px;height:40px;z-index:9999';
  document.body.append(button);
  const done = new Promise<void>((resolve, reject) => (button.onclick = () => action().then(resolve, reject)));
  await sendMouse({ type: 'click', position: [10, 10] });
  await done;
  button.remove();
}

describe('PageStatusTracker (real Fullscreen and Picture-in-Picture APIs)', function () {
  this.timeout(60_000);

  it('follows fullscreen and picture in picture into the state signal', async () => {
    const state = new CallStateManager();
    const tracker = new PageStatusTracker(state);
    const detach = tracker.attach();
    expect(state.pageStatus.get()).to.equal(PageStatus.Normal);

    await clickWithGesture(() => tracker.enterFullscreen(document.documentElement));
    await waitFor(() => state.pageStatus.get() === PageStatus.Fullscreen, 'fullscreen');
    await tracker.exit();
    await waitFor(() => state.pageStatus.get() === PageStatus.Normal, 'back from fullscreen');

    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const video = await firstFrame(stream);
    try {
      await clickWithGesture(() => tracker.enterPictureInPicture(video));
      await waitFor(() => state.pageStatus.get() === PageStatus.PictureInPicture, 'picture in picture');
      await tracker.exit();
      await waitFor(() => state.pageStatus.get() === PageStatus.Normal, 'back from picture in picture');
    } finally {
      detach();
      video.remove();
      stream.getTracks().forEach((t) => t.stop());
    }
    // Detached: changes are no longer followed.
    state.setPageStatus(PageStatus.Normal);
    await clickWithGesture(() => tracker.enterFullscreen(document.documentElement));
    await waitFor(() => document.fullscreenElement !== null, 'fullscreen again');
    expect(state.pageStatus.get()).to.equal(PageStatus.Normal);
    await document.exitFullscreen();
  });

  it('reports minimized while the document is hidden', () => {
    const target = new EventTarget();
    const doc = Object.assign(target, { hidden: false, fullscreenElement: null, pictureInPictureElement: null }) as unknown as PageDocument & { hidden: boolean };
    const state = new CallStateManager();
    new PageStatusTracker(state, { document: doc }).attach();
    doc.hidden = true;
    target.dispatchEvent(new Event('visibilitychange'));
    expect(state.pageStatus.get()).to.equal(PageStatus.Minimized);
    doc.hidden = false;
    target.dispatchEvent(new Event('visibilitychange'));
    expect(state.pageStatus.get()).to.equal(PageStatus.Normal);
  });
});
