// Renderer entry: the app with Pinia, and the theme.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './styles/app.css'
import './styles/dialog.css'

createApp(App).use(createPinia()).mount('#app')
