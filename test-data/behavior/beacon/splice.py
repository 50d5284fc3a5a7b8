#!/usr/bin/python3
"""inject.py NORMAL ATTACK OUT [--peer lan|public|resolver] [--at FRAC] [--scale S] [--flow-gap SEC] [--pubip IP]
Rewrites a raw lab attack (attacker 10.99.0.10 / 02:99:00:00:00:10) to the device of NORMAL:
attacker -> device MAC/IP; lan: 10.99.0.X -> devnet.X (gw .1 -> device's gateway IP+MAC), other MACs -> neighbour MACs;
public: 10.99.0.1 -> PUBIP behind gateway MAC, its TTL -10; resolver: 10.99.0.1 -> device's DNS server IP behind gateway MAC.
--scale stretches attack time; --flow-gap spaces TCP connections (by SYN) that far apart keeping intra-flow timing."""
import sys, argparse, ipaddress, collections, random
from scapy.all import rdpcap, wrpcap, Ether, IP, ARP, TCP, UDP, IPv6
ap=argparse.ArgumentParser(); ap.add_argument('normal'); ap.add_argument('attack'); ap.add_argument('out')
ap.add_argument('--peer',default='lan'); ap.add_argument('--at',type=float,default=0.3); ap.add_argument('--scale',type=float,default=1.0)
ap.add_argument('--flow-gap',type=float,default=0); ap.add_argument('--pubip',default='185.199.110.7'); ap.add_argument('--start',type=float,default=None); ap.add_argument('--srv',default='1'); ap.add_argument('--jitter',type=float,default=0.0); ap.add_argument('--seed',type=int,default=1)
a=ap.parse_args()
N=rdpcap(a.normal); A=[p for p in rdpcap(a.attack) if (p.haslayer(ARP) and a.peer=='lan') or (p.haslayer(IP) and (a.peer=='lan' or {p[IP].src,p[IP].dst}=={'10.99.0.10','10.99.0.'+a.srv}))]
priv=lambda ip: ipaddress.ip_address(ip).is_private
c=collections.Counter((p[Ether].src,p[IP].src) for p in N if p.haslayer(IP) and p.haslayer(Ether) and priv(p[IP].src) and not p[IP].src.endswith('.1'))
(dmac,dip),_=c.most_common(1)[0]
gw=collections.Counter(p[Ether].dst for p in N if p.haslayer(IP) and p[Ether].src==dmac and not priv(p[IP].dst) and not ipaddress.ip_address(p[IP].dst).is_multicast and p[IP].dst!='255.255.255.255')
gwmac=gw.most_common(1)[0][0] if gw else 'c4:e9:84:11:22:33'
dns=collections.Counter(p[IP].dst for p in N if p.haslayer(UDP) and p[UDP].dport==53 and p[Ether].src==dmac)
dnsip=dns.most_common(1)[0][0] if dns else '.'.join(dip.split('.')[:3]+['1'])
pre='.'.join(dip.split('.')[:3]); dhost=dip.split('.')[3]
gwip=pre+'.1' if dhost!='1' else pre+'.254'
print(f"device {dmac} {dip} gwmac {gwmac} dns {dnsip}",file=sys.stderr)
ATT_IP,ATT_MAC='10.99.0.10','02:99:00:00:00:10'
random.seed(hash((dmac,a.attack))%1000)
nbmac={}
def ipmap(ip):
    if ip==ATT_IP: return dip
    if not ip.startswith('10.99.0.'): return ip
    h=ip.split('.')[3]
    if a.peer=='public' and h==a.srv: return a.pubip
    if a.peer=='resolver' and h==a.srv: return dnsip
    if h=='1': return gwip
    if h==dhost: h='10'
    return pre+'.'+h
def macmap(m, ip=None):
    if m==ATT_MAC: return dmac
    if m in('ff:ff:ff:ff:ff:ff','00:00:00:00:00:00'): return m
    if m=='02:99:00:00:00:01' or (a.peer!='lan' and m=='02:99:00:00:00:%02d'%int(a.srv)): return gwmac
    if m.startswith('02:99'):
        return nbmac.setdefault(m,'00:1b:21:%02x:%02x:%02x'%(random.randrange(256),random.randrange(256),random.randrange(256)))
    return m
# time transform
t0=float(A[0].time)
times=[(float(p.time)-t0)*a.scale for p in A]
if a.flow_gap>0:
    # group by TCP connection (client port) / DNS query id; each new flow starts flow_gap after the previous one
    key=lambda p: (p[TCP].sport if p[IP].src==ATT_IP else p[TCP].dport) if p.haslayer(TCP) else ((p[UDP].sport if p[IP].src==ATT_IP else p[UDP].dport) if p.haslayer(UDP) else None)
    starts={}; order=[]
    for i,p in enumerate(A):
        k=key(p) if p.haslayer(IP) else None
        if k is not None and k not in starts: starts[k]=float(p.time); order.append(k)
    rj=random.Random(a.seed); newstart={}; acc=0.0
    for j,k in enumerate(order):
        if j>0: acc+=a.flow_gap*(1-a.jitter*rj.random())
        newstart[k]=acc
    for i,p in enumerate(A):
        k=key(p) if p.haslayer(IP) else None
        if k is not None: times[i]=newstart[k]+(float(p.time)-starts[k])
nt=[float(p.time) for p in N]; n0,n1=min(nt),max(nt)
base=a.start if a.start is not None else n0+a.at*(n1-n0)
out=[]
for p,t in zip(A,times):
    p=p.copy()
    src_ip=p[IP].src if p.haslayer(IP) else p[ARP].psrc
    p[Ether].src=macmap(p[Ether].src); p[Ether].dst=macmap(p[Ether].dst)
    if p.haslayer(ARP):
        p[ARP].hwsrc=macmap(p[ARP].hwsrc); p[ARP].hwdst=macmap(p[ARP].hwdst) if p[ARP].hwdst!='00:00:00:00:00:00' else p[ARP].hwdst
        p[ARP].psrc=ipmap(p[ARP].psrc); p[ARP].pdst=ipmap(p[ARP].pdst)
    if p.haslayer(IP):
        if a.peer in('public','resolver') and p[IP].src!=ATT_IP: p[IP].ttl=max(1,p[IP].ttl-10)
        p[IP].src=ipmap(p[IP].src); p[IP].dst=ipmap(p[IP].dst)
        del p[IP].chksum
        if p.haslayer(TCP): del p[TCP].chksum
        if p.haslayer(UDP): del p[UDP].chksum
        p=Ether(bytes(p))
    p.time=base+t; out.append(p)
allp=sorted(list(N)+out,key=lambda p: float(p.time))
wrpcap(a.out,allp)
print(f"injected {len(out)} packets over {times[-1]-times[0]:.0f}s at {base-n0:.0f}s into {n1-n0:.0f}s capture -> {a.out}",file=sys.stderr)
