/**
 * A minimal stand-in for @preact/signals with the same names (signal, computed, effect, batch,
 * useSignal, useComputed, useSignalEffect), at a tenth of its size in popup.js. A component that
 * reads `.value` while rendering re-renders when that signal changes; effects and computeds re-run
 * when what they read changes. Not supported: passing a signal itself as a JSX child or prop
 * (read `.value`), and glitch-free diamond updates (a computed may recompute twice in a batch).
 */
import { options, type Component, type VNode } from 'preact';
import { useEffect, useMemo } from 'preact/hooks';

interface Tracker {
  run(): void;
  deps: Set<Signal<unknown>>;
}

let current: Tracker | undefined;
let depth = 0;
const queue = new Set<Tracker>();

function forget(t: Tracker): void {
  for (const s of t.deps) s.subs.delete(t);
  t.deps.clear();
}

function track<T>(t: Tracker, fn: () => T): T {
  forget(t);
  const before = current;
  current = t;
  try {
    return fn();
  } finally {
    current = before;
  }
}

function flush(): void {
  if (depth > 0) return;
  depth++;
  try {
    for (const t of queue) {
      queue.delete(t);
      t.run();
    }
  } finally {
    depth--;
  }
}

export class Signal<T = unknown> {
  /** @internal */ subs = new Set<Tracker>();
  #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  get value(): T {
    if (current) {
      current.deps.add(this as Signal<unknown>);
      this.subs.add(current);
    }
    return this.#value;
  }
  set value(next: T) {
    if (Object.is(next, this.#value)) return;
    this.#value = next;
    for (const t of this.subs) queue.add(t);
    flush();
  }
  /** The value without subscribing to it. */
  peek(): T {
    return this.#value;
  }
  /** Calls `fn` now and on every change; returns the unsubscribe function. */
  subscribe(fn: (value: T) => void): () => void {
    return effect(() => fn(this.value));
  }
  toString(): string {
    return String(this.value);
  }
}

export type ReadonlySignal<T = unknown> = Omit<Signal<T>, 'value'> & { readonly value: T };

export const signal = <T>(value: T): Signal<T> => new Signal(value);

/** A signal kept equal to `fn()`; recomputed whenever a signal it read changes. */
export function computed<T>(fn: () => T): ReadonlySignal<T> {
  const out = new Signal<T>(undefined as T);
  const t: Tracker = { deps: new Set(), run: () => (out.value = track(t, fn)) };
  t.run();
  return out;
}

/** Runs `fn` now and again whenever a signal it read changes; returns the disposer. */
export function effect(fn: () => void | (() => void)): () => void {
  let cleanup: void | (() => void);
  const t: Tracker = {
    deps: new Set(),
    run: () => {
      if (typeof cleanup === 'function') cleanup();
      cleanup = track(t, fn);
    },
  };
  t.run();
  return () => {
    forget(t);
    queue.delete(t);
    if (typeof cleanup === 'function') cleanup();
  };
}

/** Changes made inside `fn` notify once, at the end. */
export function batch<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    flush();
  }
}

export const useSignal = <T>(value: T): Signal<T> => useMemo(() => signal(value), []);
export const useComputed = <T>(fn: () => T): ReadonlySignal<T> => useMemo(() => computed(fn), []);
export function useSignalEffect(fn: () => void | (() => void)): void {
  useEffect(() => effect(fn), []);
}

// Preact's render hooks (mangled names, as @preact/signals uses them): a component's tracker is
// current from the start of its render until the next vnode is diffed or it is done.
type Hooked = Component & { _tracker?: Tracker };
const hooks = options as typeof options & {
  __r?: (v: VNode) => void;
  __b?: (v: VNode) => void;
};
const beforeRender = hooks.__r;
hooks.__r = (vnode) => {
  beforeRender?.(vnode);
  const c = (vnode as VNode & { __c?: Hooked }).__c;
  if (!c) return;
  const t = (c._tracker ??= { deps: new Set(), run: () => c.setState({}) });
  forget(t);
  current = t;
};
const beforeDiff = hooks.__b;
hooks.__b = (vnode) => {
  current = undefined;
  beforeDiff?.(vnode);
};
const afterDiff = options.diffed;
options.diffed = (vnode) => {
  current = undefined;
  afterDiff?.(vnode);
};
const beforeUnmount = options.unmount;
options.unmount = (vnode) => {
  const c = (vnode as VNode & { __c?: Hooked }).__c;
  if (c?._tracker) forget(c._tracker);
  beforeUnmount?.(vnode);
};
