// Builds elements. Text always goes in through textContent: nothing is parsed as HTML.
import { policy } from './config.js';
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}


export function badge(node, image) {
  node.className = `badge risk-${image.risk_level || 'pending'}`;
  // the number and the risk in words ("4 · High"), not a bare number
  node.textContent = image.privacy_score
    ? `${image.privacy_score} · ${policy.riskTitles[image.risk_level].replace(/ risk$/, '')}`
    : (image.state === 'failed' ? '!' : '…');
  node.title = image.risk_level ? policy.riskTitles[image.risk_level] : `Analysis ${image.state}`;
  node.setAttribute('aria-label', image.risk_level
    ? `Privacy score ${image.privacy_score} of 5, ${policy.riskTitles[image.risk_level]}`
    : `Analysis ${image.state}`);
}

let toastTimer;
export function toast(message, kind = 'info') {
  const node = document.getElementById('toast');
  node.textContent = message;
  node.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.className = 'toast'; }, 6000);
}
