/**
 * The page's inline style sheet and script (the pointer read-out and the equity curve's log-scale toggle), and
 * the script's CSP hash. The script reads the payloads from `#hts-payloads`.
 */
import { createHash } from 'node:crypto';

export const CSS = `
:root{color-scheme:light;--fg:#111827;--muted:#4b5563;--line:#d1d5db;--bg:#f9fafb;--card:#fff;--accent:#1f5fa8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#0f2f57;color:#fff;padding:18px 20px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#dbe6f3;font-size:14px;overflow-wrap:anywhere}
nav{max-width:1040px;margin:12px auto 0;padding:0 12px;display:flex;flex-wrap:wrap;gap:6px 12px;font-size:13px}
nav a{color:var(--accent)}
main{max-width:1040px;margin:0 auto;padding:12px}
.fig{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 14px;min-width:0}
.fig h2{margin:0 0 4px;font-size:18px}
.fig h3{font-size:15px;margin:14px 0 6px}
.desc,.note{color:var(--muted);margin:0 0 8px;font-size:13.5px}
.plot{width:100%}
svg.chart{display:block;width:100%;height:auto;font-family:inherit;overflow:visible}
@media (max-width:720px){.v-wide{display:none!important}.fig{padding:10px}body{font-size:14px}}
@media (min-width:721px){.v-narrow{display:none!important}}
.fig[data-log="0"] .v-log,.fig[data-log="1"] .v-lin{display:none!important}
.legend{list-style:none;margin:0 0 6px;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
.legend li{display:flex;align-items:center;gap:5px}
.toggle{float:right;font-size:13px;margin-top:-26px;cursor:pointer}
.unavailable{color:#7c2d12;background:#fff7ed;border:1px solid #fed7aa;border-radius:6px;padding:8px 10px;margin:6px 0}
.table-wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th[scope=row],thead th:first-child{text-align:left}
table.headline{width:100%}
table.headline th[scope=row]{white-space:normal}
td.basis{color:var(--muted);font-size:12px}
.basis-inline{display:none}
.why{display:block;color:var(--muted);font-size:11.5px;font-weight:normal;white-space:normal}
td.null{color:var(--muted)}
details.data{margin-top:8px;font-size:13px}
details.data summary{cursor:pointer;color:var(--accent)}
pre{background:#f3f4f6;padding:10px;overflow-x:auto;font-size:12px;max-width:100%}
dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0;font-size:13.5px}
dl.prov dd{margin:0;overflow-wrap:anywhere;min-width:0}
dl.conv dt{font-weight:600;margin-top:6px}
dl.conv dd{margin:0 0 0 12px;color:var(--muted)}
code{font-size:12.5px}
.tip{position:fixed;z-index:10;background:#111827;color:#fff;font-size:12px;padding:6px 8px;border-radius:5px;pointer-events:none;max-width:260px}
.tip strong{display:block;margin-bottom:2px}
@media (max-width:720px){.toggle{float:none;display:block;margin:0 0 6px}dl.prov{grid-template-columns:1fr}
table.headline .basis,table.headline thead th:last-child{display:none}table.headline .basis-inline{display:block}}
`;

export const SCRIPT = `(function(){
var el=document.getElementById('hts-payloads');if(!el)return;
var data=JSON.parse(el.textContent);
var tip=document.createElement('div');tip.className='tip';tip.hidden=true;tip.setAttribute('role','status');document.body.appendChild(tip);
function fmt(v,f){if(v===null||v===undefined)return '\\u2014';if(f==='percent')return (v*100).toFixed(2)+'%';if(f==='bps')return v.toFixed(1)+' bps';if(f==='multiple')return v.toFixed(3);return v.toFixed(2);}
function day(ms){return new Date(ms).toISOString().slice(0,10);}
document.querySelectorAll('svg[data-hover]').forEach(function(svg){
var p=data[svg.getAttribute('data-chart')];if(!p||p.status!=='ok'||!p.x||!p.x.length)return;
var pl=svg.getAttribute('data-plot').split(' ').map(Number),xr=svg.getAttribute('data-x').split(' ').map(Number);
var guide=svg.querySelector('.guide');
function hide(){tip.hidden=true;if(guide)guide.setAttribute('visibility','hidden');}
svg.addEventListener('pointerleave',hide);
svg.addEventListener('pointermove',function(ev){
var m=svg.getScreenCTM();if(!m)return;var pt=svg.createSVGPoint();pt.x=ev.clientX;pt.y=ev.clientY;var q=pt.matrixTransform(m.inverse());
if(q.x<pl[0]||q.x>pl[1]){hide();return;}
var t=xr[0]+(q.x-pl[0])/(pl[1]-pl[0])*(xr[1]-xr[0]);var lo=0,hi=p.x.length-1;
while(hi-lo>1){var mid=(lo+hi)>>1;if(p.x[mid]<t)lo=mid;else hi=mid;}
var i=Math.abs(p.x[lo]-t)<=Math.abs(p.x[hi]-t)?lo:hi;
var gx=pl[0]+(p.x[i]-xr[0])/((xr[1]-xr[0])||1)*(pl[1]-pl[0]);
if(guide){guide.setAttribute('x1',gx);guide.setAttribute('x2',gx);guide.setAttribute('visibility','visible');}
tip.textContent='';var h=document.createElement('strong');h.textContent=day(p.x[i]);tip.appendChild(h);
p.series.forEach(function(s){var r=document.createElement('div');r.textContent=s.label+': '+fmt(s.values[i],p.format);tip.appendChild(r);});
tip.hidden=false;var w=tip.offsetWidth,hh=tip.offsetHeight;
var x=ev.clientX+14;if(x+w>window.innerWidth-4)x=ev.clientX-w-14;if(x<4)x=4;
var y=ev.clientY+14;if(y+hh>window.innerHeight-4)y=ev.clientY-hh-14;
tip.style.left=x+'px';tip.style.top=y+'px';});
});
document.querySelectorAll('input[data-log-toggle]').forEach(function(box){
box.addEventListener('change',function(){var f=box.closest('.fig');if(f)f.setAttribute('data-log',box.checked?'1':'0');});});
})();`;

/** The CSP hash of the inline script: `'sha256-…'`. */
export const REPORT_SCRIPT_HASH = `'sha256-${createHash('sha256').update(SCRIPT, 'utf8').digest('base64')}'`;
