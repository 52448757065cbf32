import { render } from './view.js';

const routes = { '/': 'Home', '/about': 'About' };
document.querySelector('#app').innerHTML = render(routes[location.pathname] || 'Not found');
