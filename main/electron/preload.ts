/**
 * The preload of every app window (bundled into dist/app/preload.cjs: a sandboxed preload can
 * require only `electron`). It exposes `window.kassa` (bridge.ts) and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { kassaBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('kassa', kassaBridge(ipcRenderer));
