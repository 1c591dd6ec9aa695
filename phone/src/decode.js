// The one way the app decodes a photo (the page for what it shows and saves, the workers for
// what they look at), and the one message when it cannot.

/** `blob` decoded upright (its EXIF orientation applied), with createImageBitmap's
 * `options` (a size to decode it at); a clear error when this browser cannot open it. */
export function decodePhoto(blob, options = {}) {
  return createImageBitmap(blob, { imageOrientation: 'from-image', ...options })
    .catch(() => { throw new Error('this file is not a photo this browser can open'); });
}
