/**
 * The window's preload script (sandboxed, context-isolated): exposes the bridge and nothing else.
 * The logic is in preload-bridge.ts, which tests run without Electron.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './preload-bridge.js';

exposeBridge(contextBridge, ipcRenderer);
